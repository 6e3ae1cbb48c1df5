// The chaos run's verdict: pure functions over what the thread shows and what the database holds,
// so a test can feed them a doctored thread and see them fail.

/** One post in a thread, oldest first: the app's posts and people's own messages. */
export interface ThreadPost {
  id: string;
  /** Posted under a persona's identity (webhook / custom username), or as the bot itself. */
  byIdentity: boolean;
  author: string;
  content: string;
  /** Phase banners and the end banner: their title; null for messages and notices. */
  banner: string | null;
  /** Pause/resume/trim notices: not part of the transcript. */
  notice: boolean;
  /** A person's own message: its platform id; null for the app's posts. */
  person: string | null;
}

/** A message a person wrote into the thread during the run, and what became of it. */
export interface PersonEvidence {
  /** The platform's id of the message. */
  id: string;
  /** Rows the debate stored for it (exactly one is right). */
  stored: number;
  /** The turn it was stored as, when stored. */
  turnIndex: number | null;
  /** Model requests whose prompt quoted it (`> text`), after it was stored. */
  quoted: number;
}

/** One committed message of the debate, as its thread should show it. */
export interface ShownMessage {
  turnIndex: number;
  /** The text the thread shows for it (whole; split posts are joined). */
  text: string;
  /** The name it is posted under when `byIdentity`. */
  author: string;
  byIdentity: boolean;
}

export interface DebateEvidence {
  debateId: string;
  title: string;
  status: string;
  /** Committed messages the thread should show, in turn order (a person's chat messages excluded). */
  shown: ShownMessage[];
  posts: ThreadPost[];
  /** Outbox rows not sent, and previews still tracked, for this debate's thread. */
  unsentRows: number;
  trackedPreviews: number;
  /** Chat messages people sent into the thread during the run. */
  people: PersonEvidence[];
  /** The debate's token and cost totals against the sums of its messages. */
  totals: { prompt: number; completion: number; cost: number };
  sums: { prompt: number; completion: number; cost: number };
}

export interface GlobalEvidence {
  /** api_usage totals against the model calls recorded on the messages (all folded). */
  apiUsage: { input: number; output: number; requests: number };
  messageUsage: { input: number; output: number; requests: number };
  /** Messages whose usage is not folded into api_usage yet. */
  unfolded: number;
  /** Money still held for calls in flight (debates and budget windows); 0 when nothing runs. */
  heldUsd: number;
  /** Arena processes that exited by themselves (not by our signal). */
  crashes: number;
}

export interface DebateVerdict {
  debateId: string;
  title: string;
  status: string;
  messages: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
  misattributed: number;
  leftoverPreviews: number;
  strayPosts: number;
  orphanRows: number;
  humans: string;
  usageOk: boolean;
  /** What went wrong, for people (empty when nothing did). */
  problems: string[];
}

export interface ChaosVerdict {
  ok: boolean;
  debates: DebateVerdict[];
  problems: string[];
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const PREVIEW_TAIL = /…$/u;
const END_BANNER = /^Debate (finished|stopped)/;

/** Matches a thread's posts to the committed messages: loss, duplicates, order, leftovers. */
export function checkDebate(e: DebateEvidence): DebateVerdict {
  const problems: string[] = [];
  const expected = e.shown.map((m) => squash(m.text));
  const isPrefix = (text: string) => expected.some((x) => x.startsWith(text));
  const seen = new Array<number>(expected.length).fill(0);
  const order: number[] = [];
  let misattributed = 0;
  let leftoverPreviews = 0;
  let strayPosts = 0;

  const content = e.posts.filter((p) => p.banner === null && !p.notice && p.person === null);
  /** The turn each matched post shows (the first post of a split message), by post id. */
  const turnOf = new Map<string, number>();
  for (let i = 0; i < content.length; ) {
    // A long message is split into several posts: join them while they still read as one message.
    let text = squash(content[i]!.content);
    let end = i + 1;
    let match = expected.findIndex((x, k) => x === text && seen[k] === 0);
    if (match < 0) match = expected.indexOf(text);
    while (match < 0 && end < content.length && text.length > 0 && isPrefix(text)) {
      const next = content[end]!;
      if (next.author !== content[i]!.author || next.byIdentity !== content[i]!.byIdentity) break;
      text = squash(`${text} ${next.content}`);
      end++;
      if (!isPrefix(text)) break;
      match = expected.findIndex((x, k) => x === text && seen[k] === 0);
      if (match < 0) match = expected.indexOf(text);
    }
    if (match < 0) {
      const post = content[i]!;
      if (PREVIEW_TAIL.test(post.content.trim())) {
        leftoverPreviews++;
        problems.push(`preview left in the thread: "${post.content.slice(0, 60)}"`);
      } else {
        strayPosts++;
        problems.push(`post matching no committed message: "${post.content.slice(0, 60)}"`);
      }
      i++;
      continue;
    }
    const post = content[i]!;
    const want = e.shown[match]!;
    if (post.byIdentity !== want.byIdentity || (want.byIdentity && post.author !== want.author)) {
      misattributed++;
      problems.push(`turn ${want.turnIndex} posted as ${post.author}, expected ${want.author}`);
    }
    turnOf.set(post.id, want.turnIndex);
    if (seen[match] === 0) order.push(match);
    else problems.push(`turn ${want.turnIndex} posted ${seen[match]! + 1} times`);
    seen[match]!++;
    i = end;
  }

  const lostTurns = e.shown.filter((_, k) => seen[k] === 0).map((m) => m.turnIndex);
  if (lostTurns.length > 0) problems.push(`turns never posted: ${lostTurns.join(', ')}`);
  let lost = lostTurns.length;
  let duplicated = seen.reduce((n, c) => n + Math.max(0, c - 1), 0);

  const banners = e.posts.filter((p) => p.banner !== null).map((p) => p.banner!);
  const extraBanners = banners.length - new Set(banners).size;
  if (extraBanners > 0) {
    duplicated += extraBanners;
    problems.push(`banners posted twice: ${banners.filter((b, k) => banners.indexOf(b) !== k).join(', ')}`);
  }
  if (e.status === 'completed' && !banners.some((b) => END_BANNER.test(b))) {
    lost++;
    problems.push('the end banner was never posted');
  }

  let reordered = order.length - longestIncreasing(order);
  if (reordered > 0) problems.push(`${reordered} message(s) out of turn order`);
  const people = checkPeople(e, turnOf);
  reordered += people.reordered;
  problems.push(...people.problems);
  if (e.status !== 'completed') problems.push(`debate ended ${e.status}, not completed`);
  const orphanRows = e.unsentRows + e.trackedPreviews;
  if (e.unsentRows > 0) problems.push(`${e.unsentRows} outbox row(s) never sent`);
  if (e.trackedPreviews > 0) problems.push(`${e.trackedPreviews} preview row(s) left`);
  const usageOk =
    e.totals.prompt === e.sums.prompt &&
    e.totals.completion === e.sums.completion &&
    Math.abs(e.totals.cost - e.sums.cost) < 1e-9;
  if (!usageOk)
    problems.push(
      `debate totals ${JSON.stringify(e.totals)} differ from its messages ${JSON.stringify(e.sums)}`,
    );

  return {
    debateId: e.debateId,
    title: e.title,
    status: e.status,
    messages: expected.length,
    delivered: order.length,
    lost,
    duplicated,
    reordered,
    misattributed,
    leftoverPreviews,
    strayPosts,
    orphanRows,
    humans: `${people.ok}/${e.people.length}`,
    usageOk,
    problems,
  };
}

/** The whole run: every debate clean, usage folded exactly, nothing held, no process died by itself. */
export function checkRun(
  debates: DebateEvidence[],
  g: GlobalEvidence,
  expectedDebates: number,
): ChaosVerdict {
  const verdicts = debates.map(checkDebate);
  const problems: string[] = [];
  if (debates.length !== expectedDebates)
    problems.push(`${expectedDebates} debate(s) were started from chat, ${debates.length} found`);
  if (g.unfolded > 0) problems.push(`${g.unfolded} message(s) never folded into api_usage`);
  const a = g.apiUsage;
  const m = g.messageUsage;
  if (a.input !== m.input || a.output !== m.output || a.requests !== m.requests)
    problems.push(
      `api_usage ${JSON.stringify(a)} differs from the messages' model calls ${JSON.stringify(m)}`,
    );
  if (g.heldUsd !== 0) problems.push(`$${g.heldUsd} still held on the budget`);
  if (g.crashes > 0) problems.push(`the arena process died by itself ${g.crashes} time(s)`);
  const ok =
    problems.length === 0 &&
    verdicts.every(
      (v) =>
        v.status === 'completed' &&
        v.lost +
          v.duplicated +
          v.reordered +
          v.misattributed +
          v.leftoverPreviews +
          v.strayPosts +
          v.orphanRows ===
          0 &&
        v.usageOk &&
        v.problems.length === 0,
    );
  return { ok, debates: verdicts, problems };
}

/**
 * Each person's message stored exactly once and quoted to the models; and in its place in the
 * thread: no post shown before it belongs to a later turn than the one it was stored as.
 */
function checkPeople(
  e: DebateEvidence,
  turnOf: ReadonlyMap<string, number>,
): { ok: number; reordered: number; problems: string[] } {
  const problems: string[] = [];
  let ok = 0;
  let reordered = 0;
  for (const person of e.people) {
    const before = problems.length;
    if (person.stored !== 1)
      problems.push(`a person's message (${person.id}) was stored ${person.stored} time(s), not once`);
    else if (person.quoted === 0)
      problems.push(`a person's message (${person.id}) never reached a prompt, quoted`);
    const at = e.posts.findIndex((p) => p.person === person.id);
    if (at < 0) problems.push(`a person's message (${person.id}) is not in the thread`);
    const later = e.posts
      .slice(0, Math.max(at, 0))
      .map((p) => turnOf.get(p.id))
      .filter((t): t is number => t !== undefined && person.turnIndex !== null && t > person.turnIndex);
    if (later.length > 0) {
      reordered++;
      problems.push(
        `a person's message stored as turn ${person.turnIndex} shows after turn ${Math.max(...later)}`,
      );
    }
    if (problems.length === before) ok++;
  }
  return { ok, reordered, problems };
}

/** Length of the longest strictly increasing subsequence (patience sorting). */
function longestIncreasing(xs: number[]): number {
  const tails: number[] = [];
  for (const x of xs) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = x;
  }
  return tails.length;
}
