/**
 * Whether a watch's stream still comes from the etcd store it has been following (issue 14). An etcd
 * restarted on an empty data dir, or restored from an older snapshot, counts its revisions anew, and
 * etcd3 resumes a watch on it silently from the last revision seen: the resumed watch then waits for
 * that revision in the new store's future, and a filter on revisions drops whatever the new store
 * holds below it. Each watch feeds the headers of its stream here, and starts afresh when one
 * - carries a revision below one already seen (revisions never go back in one store), or
 * - carries a raft term below one already seen (nor do terms; a fresh store starts again at 2), or
 * - names another cluster.
 * Member ids are not compared: a client may move to another member of the same cluster. A lagging
 * member of a multi-member cluster may trip the first two checks; starting afresh then re-reads
 * what is current, which is merely redundant.
 */

/** The parts of an etcd response header compared (etcd3's `IResponseHeader`; numbers arrive as strings). */
export interface EtcdHeader {
  readonly revision: string | number;
  readonly raft_term?: string | number | undefined;
  readonly cluster_id?: string | undefined;
}

export class EtcdStoreHistory {
  #revision: bigint;
  #raftTerm: bigint | undefined;
  #clusterId: string | undefined;

  /** `revision`: the store revision the watch starts after (etcd3's `lastRevision() - 1`). */
  constructor(revision: bigint) {
    this.#revision = revision;
  }

  /**
   * Takes the header of one answer of the stream: undefined when it continues the history followed so
   * far, else why not; the history then goes on from this header.
   */
  follow(header: EtcdHeader): string | undefined {
    const revision = BigInt(header.revision);
    const raftTerm = header.raft_term === undefined ? undefined : BigInt(header.raft_term);
    const clusterId = header.cluster_id;
    let change: string | undefined;
    if (clusterId !== undefined && this.#clusterId !== undefined && clusterId !== this.#clusterId)
      change = `etcd answers from cluster ${clusterId}, not ${this.#clusterId}`;
    else if (revision < this.#revision)
      change = `etcd came back at revision ${revision}, below the ${this.#revision} this watch saw`;
    else if (raftTerm !== undefined && this.#raftTerm !== undefined && raftTerm < this.#raftTerm)
      change = `etcd came back at raft term ${raftTerm}, below the ${this.#raftTerm} this watch saw`;
    if (change !== undefined) {
      this.#revision = revision;
      this.#raftTerm = raftTerm;
    } else {
      if (revision > this.#revision) this.#revision = revision;
      if (raftTerm !== undefined && (this.#raftTerm === undefined || raftTerm > this.#raftTerm))
        this.#raftTerm = raftTerm;
    }
    this.#clusterId = clusterId ?? this.#clusterId;
    return change === undefined ? undefined : `${change} (a wiped or restored store): watching afresh`;
  }
}
