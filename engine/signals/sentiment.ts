import Sentiment from 'sentiment';

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

// AFINN-165 word list (the `sentiment` package); its comparative score is per word, so a long
// summary does not outweigh a short title. Korean text scores neutral: AFINN is English only.
const analyzer = new Sentiment();
const THRESHOLD = 0.05;

export function sentimentOf(text: string): { label: SentimentLabel; score: number } {
  const { comparative } = analyzer.analyze(text.slice(0, 4000));
  const score = Number.isFinite(comparative) ? comparative : 0;
  return { label: score > THRESHOLD ? 'positive' : score < -THRESHOLD ? 'negative' : 'neutral', score };
}
