'use strict';
/**
 * dynalite's store for a persisted local stack: the data in memory, every write also sent to LevelDB.
 *
 * dynalite reads its LevelDB folder for every request (an item, the items of a Query, the old item of a
 * conditional write), and classic-level runs each read as a job on libuv's thread pool: about a third of
 * dynalite's CPU in the demo went to those hops. Here reads are answered from memory-level (dynalite's own
 * in-memory store) and LevelDB only receives the writes, in the order they were made, coalesced into one
 * batch per turn of the event loop. The folder still holds the whole state: at open it is loaded into
 * memory, and close waits for the writes in flight and closes LevelDB.
 *
 * A write is acknowledged once in memory; LevelDB has it a moment later (the same turn's batch). Stopping
 * the stack (or its parent process ending, which stops the child) flushes first; only a hard kill of the
 * dynalite process can lose the writes of its last turn. A failed disk write is reported on stderr and fails
 * every later write, so the state in memory never silently drifts from the folder.
 *
 * @param {string} dynaliteDir the folder of dynalite's entry point (its own `level` and `memory-level`)
 * @returns {new (location: string, options?: object) => object} a drop-in for `level`'s `Level`
 */
module.exports = function mirroredLevel(dynaliteDir) {
  const { MemoryLevel } = require(require.resolve('memory-level', { paths: [dynaliteDir] }));
  const levelDir = require('node:path').dirname(require.resolve('level', { paths: [dynaliteDir] }));
  const { ClassicLevel } = require(require.resolve('classic-level', { paths: [levelDir] }));

  return class MirroredLevel extends MemoryLevel {
    #disk;
    /** Writes of this turn, not yet handed to LevelDB. */
    #pending = [];
    /** The chain of LevelDB batches, in order. */
    #written = Promise.resolve();
    /** The first disk error: every later write fails with it. */
    #failed;

    constructor(location, options = {}) {
      // Keys and values reach the store as strings (dynalite's keys are strings, its values JSON).
      super({ ...options, storeEncoding: 'utf8' });
      this.#disk = new ClassicLevel(location, {
        keyEncoding: 'utf8',
        valueEncoding: 'utf8',
        // Fewer, larger level-0 files: less compaction while the demo writes its month.
        writeBufferSize: 32 << 20,
      });
    }

    async _open(options) {
      await this.#disk.open({ createIfMissing: options.createIfMissing !== false });
      const loaded = [];
      for await (const [key, value] of this.#disk.iterator()) loaded.push({ type: 'put', key, value });
      if (loaded.length > 0) await super._batch(loaded, {});
    }

    async _put(key, value, options) {
      this.#assertHealthy();
      await super._put(key, value, options);
      this.#mirror({ type: 'put', key, value });
    }

    async _del(key, options) {
      this.#assertHealthy();
      await super._del(key, options);
      this.#mirror({ type: 'del', key });
    }

    async _batch(operations, options) {
      this.#assertHealthy();
      await super._batch(operations, options);
      for (const op of operations) {
        this.#mirror(
          op.type === 'put' ? { type: 'put', key: op.key, value: op.value } : { type: 'del', key: op.key },
        );
      }
    }

    async _close() {
      this.#flush();
      await this.#written;
      await this.#disk.close();
      if (this.#failed) throw this.#failed;
    }

    #assertHealthy() {
      if (this.#failed) throw this.#failed;
    }

    #mirror(op) {
      if (this.#pending.push(op) === 1) setImmediate(() => this.#flush());
    }

    #flush() {
      if (this.#pending.length === 0) return;
      const batch = this.#pending;
      this.#pending = [];
      this.#written = this.#written.then(() =>
        this.#disk.batch(batch).catch((err) => {
          this.#failed ??= new Error(`dynalite: writing to the data folder failed (${err.message})`, {
            cause: err,
          });
          process.stderr.write(`${this.#failed.message}\n`);
        }),
      );
    }
  };
};
