/**
 * Per-co-op money views: transfer states by week, and the balance of each
 * co-op (earned, transferred, held, owed back).
 */
export async function transferStateTotalsByWeek(_since: Date): Promise<{ week: string; pending: number; held: number }[]> {
  return [];
}
