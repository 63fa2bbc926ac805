import { Types } from 'mongoose';
import { AuditEntryModel } from './audit.model';
import { UserModel } from '../accounts/user.model';

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
 * Records one admin action: who (`actorId`, a user id or null for the
 * system), what (`action`, e.g. 'coop.approve', 'transfer.release'), on what
 * (`target`, e.g. 'coop:<id>'), and the state before and after.
 * Call it after the change succeeded; it never throws for a bad snapshot.
 */
export async function audit(actorId: string | null, action: string, target: string, before: unknown, after: unknown): Promise<void> {
  let actorEmail = '';
  let actor: Types.ObjectId | null = null;
  if (actorId && Types.ObjectId.isValid(actorId)) {
    actor = new Types.ObjectId(actorId);
    const u = await UserModel.findById(actor, { email: 1 }).lean();
    actorEmail = u?.email ?? '';
  }
  await AuditEntryModel.create({ actor, actorEmail, action, target, before: snapshot(before), after: snapshot(after), at: new Date() });
}
