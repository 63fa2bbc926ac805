import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Model } from 'mongoose';
import { trusted } from './db';
import { expiryJob } from './expiry';
import type { Job } from './jobs';

/**
 * How an app process learns that another one changed something it keeps
 * in memory. A process that changes data writes to the feed; every process
 * reads the feed every few seconds (`read`) and reloads what moved.
 *
 * Engine limit: the embedded FerretDB has no change streams, so nothing
 * pushes a change to the other processes, and (upstream) only a filter on
 * `_id` alone reaches an index. So the feed is polled: one tiny version
 * document per topic, read by `_id`, and a collection of change records
 * kept small (a poll reads only the last minute's; older ones expire).
 *
 * A feed carries two kinds of news:
 * - a topic was *bumped*: anything under it may have changed (its version
 *   document gets a fresh random token; tokens are never reused, so two
 *   bumps never cancel out and no increment is needed);
 * - some *keys* changed (`publish`): one change record names them, so the
 *   other processes reload just those.
 *
 * A feed instance is one process's view: it remembers what it wrote and
 * what it has already applied, so its own news never comes back to it as
 * another's. Its data lives in `<name>_versions` and `<name>_changes`.
 */
export class ChangeFeed<Topic extends string> {
  private readonly versions: Model<FeedVersion>;
  private readonly changes: Model<FeedChange>;
  /**
   * Tokens this process wrote or loaded, a few per topic, newest last. A
   * read that returns one of them has nothing new: tokens are never
   * reused, so an older one means the read crossed our own bump (read
   * before the bump's write landed, compared after it), not another
   * process's change. Comparing with the latest token alone reloaded all
   * stock several times a minute under checkout load.
   */
  private readonly seen = new Map<Topic, string[]>();
  /** Change records already applied here, with their time (forgotten after the window). */
  private readonly applied = new Map<string, number>();

  /** How far back a read looks for change records; longer than any poll gap or clock skew. */
  static readonly WINDOW_MS = 60_000;

  constructor(
    readonly name: string,
    private readonly topics: readonly Topic[],
  ) {
    const Name = name.charAt(0).toUpperCase() + name.slice(1);
    this.versions =
      (mongoose.models[`${Name}Version`] as Model<FeedVersion> | undefined) ??
      mongoose.model<FeedVersion>(`${Name}Version`, versionSchema(`${name}_versions`));
    this.changes =
      (mongoose.models[`${Name}Change`] as Model<FeedChange> | undefined) ??
      mongoose.model<FeedChange>(`${Name}Change`, changeSchema(`${name}_changes`));
  }

  /** Anything under `topic` may have changed: every process that reads the feed sees it bumped. */
  async bump(topic: Topic): Promise<void> {
    const token = randomUUID();
    this.remember(topic, token); // our own bump is no news here
    await this.versions.updateOne({ _id: topic }, { $set: { token } }, { upsert: true });
  }

  /** These keys changed: other processes find them in `fresh`. */
  async publish(keys: string[]): Promise<void> {
    const change = await this.changes.create({ keys, at: new Date() });
    this.applied.set(String(change._id), change.at.getTime());
  }

  /**
   * What the feed says now. Read it *before* loading the data it guards:
   * a change that lands during the load then shows as news on the next read.
   */
  async read(): Promise<FeedState<Topic>> {
    const since = new Date(Date.now() - ChangeFeed.WINDOW_MS);
    const [tokens, records] = await Promise.all([
      Promise.all(this.topics.map((t) => this.versions.findById(t, { token: 1 }).lean())),
      this.changes.find({ at: trusted({ $gte: since }) }).lean(),
    ]);
    return {
      tokens: new Map(this.topics.map((t, i) => [t, tokens[i]?.token])),
      changes: records.map((r) => ({ id: String(r._id), keys: r.keys ?? [], at: r.at })),
    };
  }

  /** Whether another process bumped `topic` since this one last saw it. No version document yet means nobody has. */
  bumped(state: FeedState<Topic>, topic: Topic): boolean {
    const token = state.tokens.get(topic);
    return token !== undefined && !(this.seen.get(topic) ?? []).includes(token);
  }

  /**
   * The change records in `state` that this process has not applied yet;
   * they count as applied from now on.
   */
  fresh(state: FeedState<Topic>): ChangeRecord[] {
    const cutoff = Date.now() - 2 * ChangeFeed.WINDOW_MS;
    for (const [id, at] of this.applied) if (at < cutoff) this.applied.delete(id);
    const fresh = state.changes.filter((c) => !this.applied.has(c.id));
    for (const c of fresh) this.applied.set(c.id, c.at.getTime());
    return fresh;
  }

  /** Marks `topic` as seen as of `state` (after reloading what it guards). */
  seenTopic(state: FeedState<Topic>, topic: Topic): void {
    this.remember(topic, state.tokens.get(topic));
  }

  /** Marks everything in `state` as seen: after a full load that started after `state` was read. */
  seenAll(state: FeedState<Topic>): void {
    for (const t of this.topics) this.remember(t, state.tokens.get(t));
    for (const c of state.changes) this.applied.set(c.id, c.at.getTime());
  }

  /** Deletes change records long after any poll could still want them. */
  jobs(): Job[] {
    return [expiryJob({ name: `${this.name}-changes`, model: this.changes, field: 'at', afterMs: 10 * ChangeFeed.WINDOW_MS })];
  }

  private remember(topic: Topic, token: string | undefined): void {
    if (token === undefined) return;
    const tokens = this.seen.get(topic) ?? [];
    if (tokens.includes(token)) return;
    tokens.push(token);
    if (tokens.length > 8) tokens.shift();
    this.seen.set(topic, tokens);
  }
}

/** What one read of a feed found. */
export interface FeedState<Topic extends string> {
  tokens: Map<Topic, string | undefined>;
  changes: ChangeRecord[];
}

export interface ChangeRecord {
  id: string;
  keys: string[];
  at: Date;
}

interface FeedVersion {
  _id: string;
  token: string;
}

interface FeedChange {
  keys: string[];
  at: Date;
}

const versionSchema = (collection: string) =>
  new Schema<FeedVersion>(
    {
      _id: { type: String, required: true },
      token: { type: String, required: true },
    },
    { timestamps: true, collection, versionKey: false },
  );

const changeSchema = (collection: string) =>
  new Schema<FeedChange>(
    {
      keys: { type: [String], default: [] },
      at: { type: Date, required: true },
    },
    { collection, versionKey: false },
  );
