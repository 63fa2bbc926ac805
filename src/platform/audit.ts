import { Types } from 'mongoose';
import { AuditEntryModel } from './audit.model';

/** Keeps snapshots storable: Dates and ObjectIds as strings, no `$`/`.` keys, no undefined. */
function snapshot(value: unknown, depth = 0): unknown {
  if (value === undefined || value === null) return null;
  if (depth > 6) return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Types.ObjectId) return String(value);
  if (Array.isArray(value)) return value.map((v) => snapshot(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[k.replace(/^\$/, '_').replace(/\./g, '_')] = snapshot(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/**
 * Records one action on money or co-ops: who (`actorId`, a user id or null
 * for the system), what (`action`, e.g. 'coop.approve', 'transfer.release'),
 * on what (`target`, e.g. 'coop:<id>'), and the state before and after.
 * Only the actor's id is stored: the audit page looks up who that is when
 * it shows the log (platform knows no users). Call it after the change
 * succeeded; it never throws for a bad snapshot.
 */
export async function audit(actorId: string | null, action: string, target: string, before: unknown, after: unknown): Promise<void> {
  const actor = actorId && Types.ObjectId.isValid(actorId) ? new Types.ObjectId(actorId) : null;
  await AuditEntryModel.create({ actor, action, target, before: snapshot(before), after: snapshot(after), at: new Date() });
}
