import { describe, expect, it } from 'vitest';
import { PreviewGate } from '../../bot/delivery/preview-gate.ts';

describe('the preview gate', () => {
  it('lets a preview through only when every earlier turn is in the outbox, or it is the turn in flight', () => {
    const gate = new PreviewGate();
    // Before any projection nothing is known: catch up from the log once, then wait.
    expect(gate.decide({ turnIndex: 3, postId: null })).toBe('project');
    gate.projected({ cursorTurn: 1, turnInFlight: 2 });
    expect(gate.decide({ turnIndex: 3, postId: null })).toBe('wait');
    expect(gate.decide({ turnIndex: 3, postId: null })).toBe('wait');
    // Turn 2 committed and was taken into the outbox: turn 3 is next.
    gate.projected({ cursorTurn: 2, turnInFlight: 3 });
    expect(gate.decide({ turnIndex: 3, postId: null })).toBe('show');
    // Past a gap (turn 4 given up): the log says 5 is in flight, so it goes after one projection.
    expect(gate.decide({ turnIndex: 5, postId: null })).toBe('project');
    gate.projected({ cursorTurn: 3, turnInFlight: 5 });
    expect(gate.decide({ turnIndex: 5, postId: null })).toBe('show');
  });

  it('never holds back a preview already on screen, or no preview at all', () => {
    const gate = new PreviewGate();
    expect(gate.decide(null)).toBe('show');
    expect(gate.decide({ turnIndex: 9, postId: 'p1' })).toBe('show');
  });
});
