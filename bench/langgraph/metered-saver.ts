import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, type CheckpointMetadata, MemorySaver } from '@langchain/langgraph';

// A pending write is a [channel, value] pair; the type lives in a package this repo does not depend on.
type PendingWrite = Parameters<MemorySaver['putWrites']>[1][number];

/** What the checkpointer serialized: the bytes a persistent saver (Postgres, SQLite) would write. */
export interface SaverStats {
  checkpoints: number;
  /** Serialized checkpoints (channel values: the whole transcript each time) and their metadata. */
  checkpointBytes: number;
  maxCheckpointBytes: number;
  writes: number;
  /** Serialized pending writes (each node's update). */
  writeBytes: number;
}

/**
 * LangGraph's in-memory checkpointer, measuring the size of everything it serializes. It stores
 * exactly the bytes a database-backed saver would send, so their size is the honest write cost.
 */
export class MeteredMemorySaver extends MemorySaver {
  readonly meter: SaverStats = {
    checkpoints: 0,
    checkpointBytes: 0,
    maxCheckpointBytes: 0,
    writes: 0,
    writeBytes: 0,
  };

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    const saved = await super.put(config, checkpoint, metadata);
    const thread = String(config.configurable?.thread_id);
    const ns = String(config.configurable?.checkpoint_ns ?? '');
    const stored = this.storage[thread]?.[ns]?.[checkpoint.id];
    if (stored) {
      const bytes = stored[0].byteLength + stored[1].byteLength;
      this.meter.checkpoints++;
      this.meter.checkpointBytes += bytes;
      this.meter.maxCheckpointBytes = Math.max(this.meter.maxCheckpointBytes, stored[0].byteLength);
    }
    return saved;
  }

  override async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    const key = JSON.stringify([
      config.configurable?.thread_id,
      config.configurable?.checkpoint_ns,
      config.configurable?.checkpoint_id,
    ]);
    const before = sizeOfWrites(this.writes[key]);
    await super.putWrites(config, writes, taskId, taskPath);
    this.meter.writes += writes.length;
    this.meter.writeBytes += sizeOfWrites(this.writes[key]) - before;
  }

  /** Bytes the saver holds now, for every thread. */
  heldBytes(): number {
    let total = 0;
    for (const namespaces of Object.values(this.storage)) {
      for (const checkpoints of Object.values(namespaces)) {
        for (const [checkpoint, metadata] of Object.values(checkpoints))
          total += checkpoint.byteLength + metadata.byteLength;
      }
    }
    for (const writes of Object.values(this.writes)) total += sizeOfWrites(writes);
    return total;
  }
}

function sizeOfWrites(writes: Record<string, [string, string, Uint8Array, string?]> | undefined): number {
  let total = 0;
  for (const write of Object.values(writes ?? {})) total += write[2].byteLength;
  return total;
}
