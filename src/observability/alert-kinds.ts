/**
 * Every operator alert QuantMesh raises, as one closed list of stable kinds (R10 告警通知, issue 14
 * item 6). A kind names one degradation or one recovery; its text here is what the alert means, and
 * docs/operations.md ("Alerts") says what an operator should do about it (a test holds the two
 * together). `scope` says whether the alert is about one symbol or the whole instance; the rate
 * limit applies per kind and symbol (alert-rate-limit.ts).
 */
export const ALERT_KINDS = {
  'database-unavailable': {
    scope: 'instance',
    meaning: 'the shared database does not answer; records are spooled and no new order intent can be recorded',
  },
  'database-recovered': { scope: 'instance', meaning: 'the database answers again after database-unavailable' },
  'symbol-faulted': {
    scope: 'symbol',
    meaning: 'a symbol this instance runs is faulted or paused and places no new orders',
  },
  'symbol-recovered': { scope: 'symbol', meaning: 'a symbol reported by symbol-faulted runs again' },
  'ownership-lost': {
    scope: 'symbol',
    meaning: 'this instance lost the ownership lease of a symbol it was trading and stopped trading it',
  },
  'standby-activated': { scope: 'symbol', meaning: 'a hot standby took a symbol over' },
  'position-drift': { scope: 'symbol', meaning: "the grid's position differs from the venue's after reconciliation" },
  'spool-high': {
    scope: 'instance',
    meaning: 'the write-behind spool holds more than half of storage.max_spool_bytes',
  },
  'lock-backend-lost': {
    scope: 'instance',
    meaning: 'the lock backend (Redis or etcd) is unreachable: this instance stops acting on every symbol',
  },
  'degraded-mode-entered': {
    scope: 'instance',
    meaning: 'the cluster runs in single-instance mode: this instance is the survivor trading every symbol',
  },
  'degraded-mode-left': {
    scope: 'instance',
    meaning: 'the lock backend is back: this instance campaigns in the configured layout again',
  },
  'rate-budget-degraded': {
    scope: 'instance',
    meaning:
      "a venue account's shared rate budget is kept in the shared database (its lock backend failed) or nowhere (orders are refused)",
  },
  'rate-budget-recovered': {
    scope: 'instance',
    meaning: 'the rate budget reported by rate-budget-degraded is kept in its lock backend again',
  },
  'fencing-resynchronised': {
    scope: 'instance',
    meaning: 'fencing counters resumed above the highest recorded fence after the lock backend restarted empty',
  },
} as const satisfies Record<string, { scope: 'instance' | 'symbol'; meaning: string }>;

export type AlertKind = keyof typeof ALERT_KINDS;

/** The kinds by name, in the vocabulary of `notifications.*.alerts` filters. */
export const ALERT_KIND_NAMES = Object.keys(ALERT_KINDS) as readonly AlertKind[];
