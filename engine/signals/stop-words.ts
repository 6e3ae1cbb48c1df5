// Words that say nothing about a topic. English: a common list plus feed boilerplate; Korean:
// particles-free function words and frequent news filler. Kept short on purpose: keywords are
// counted across many signals, so a rare filler word never forms a trend on its own.

const EN = `a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each few for from further get gets got had hadn't has hasn't have haven't having he her
here hers herself him himself his how however i if in into is isn't it it's its itself just let's like
made make makes many may me might more most much must my myself new no nor not now of off on once one only
or other our ours ourselves out over own per really same says said see she should shouldn't show so some
still such than that that's the their theirs them themselves then there there's these they this those
through to too two under until up upon us use used using very via was wasn't way we were weren't what
what's when where which while who whom why will with within without won't would wouldn't yet you your
yours yourself yourselves ago back best big day days even ever first good great know last less long look
lot need next old part people put right set take thing things think time top want week weeks well work
year years today comments comment points link article read post posted via hn ask tell http https www com
html amp nbsp quot reddit submitted rss feed`;

const KO = `그리고 그러나 하지만 그래서 또는 또한 및 등 등의 이 그 저 것 수 있다 있는 있고 있으며 없다 없는 했다 하는
한다 하고 하며 위해 위한 대한 대해 통해 따라 따른 관련 이번 지난 오늘 내일 어제 올해 지난해 최근 현재 기자
뉴스 단독 속보 사진 영상 제공 밝혔다 말했다 전했다 것으로 것이다 때문 경우 가장 매우 더 덜 모든 각 중 후 전
내 외 간 들 를 을 은 는 이 가 의 에 에서 으로 로 와 과 도 만 까지 부터 보다 처럼 같은 같이 오전 오후 년 월 일`;

const LIST = new Set([...EN.split(/\s+/), ...KO.split(/\s+/)].filter(Boolean));

export function isStopWord(word: string): boolean {
  return LIST.has(word.toLowerCase());
}

// Korean particles (josa) glued to the end of a noun; removed so "엔비디아가" and "엔비디아는" count as one.
const JOSA =
  /(에서는|으로는|에서|으로|에게|까지|부터|보다|처럼|이다|하는|했다|한다|은|는|이|가|을|를|의|에|로|와|과|도|만)$/;

/** A Korean token without its trailing particle, when enough of the word is left. */
export function stripJosa(word: string): string {
  const stripped = word.replace(JOSA, '');
  return stripped.length >= 2 ? stripped : word;
}
