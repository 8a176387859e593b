/**
 * Operator actions (POST, behind the key; each recorded as an `operator.action` event by the
 * instance that runs it): pause, resume, cancel-orders, hand-over, claim on one symbol, and drain
 * of this instance. A symbol action reaches the instance that owns the symbol: one that does not
 * own it passes the request on to the owner named in the instance registry (once; the owner answers),
 * so the dashboard behind nginx acts on whichever instance it reached.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACTION_RESULT, ERROR, SYMBOL_PARAMS } from '../api-schemas.js';
import { type OperatorControl, SYMBOL_ACTIONS, type SymbolAction } from '../operator-control.js';
import type { ClusterAnswer } from './cluster-routes.js';

/** Set on a request passed on to the owner, so it is never passed on again. */
const FORWARDED = 'x-quantmesh-forwarded-by';

export interface ActionRoutesOptions {
  readonly instanceId: string;
  readonly control: OperatorControl;
  readonly cluster: () => Promise<ClusterAnswer>;
}

const SUMMARIES: Record<SymbolAction, string> = {
  pause: 'Pause the symbol: nothing new is placed, working buys are cancelled; resume undoes it',
  resume: 'Resume a paused symbol (an operator pause, or a risk or account-check pause)',
  'cancel-orders': 'Pause the symbol and cancel every working order of its grid',
  'hand-over':
    'Planned handover: stop trading the symbol here WITHOUT cancelling and release its ownership lease, so another instance takes it; it stays held back here until claim',
  claim: 'Campaign again for a symbol handed over from this instance',
};

export function actionRoutes(server: FastifyInstance, options: ActionRoutesOptions): void {
  for (const action of SYMBOL_ACTIONS) {
    server.post<{ Params: { exchange: string; symbol: string } }>(
      `/api/symbols/:exchange/:symbol/${action}`,
      {
        schema: {
          summary: SUMMARIES[action],
          tags: ['actions'],
          params: SYMBOL_PARAMS,
          response: { 200: ACTION_RESULT, 404: ERROR, 409: ERROR, 502: ERROR },
        },
      },
      async (request, reply) => {
        const { exchange, symbol } = request.params;
        const outcome = await options.control.symbolAction(action, exchange, symbol);
        if (outcome.done)
          return { action, instanceId: options.instanceId, exchange, symbol, ordersCancelled: outcome.ordersCancelled };
        if (action !== 'claim' && request.headers[FORWARDED] === undefined) {
          const view = await options.cluster();
          const owner = view.symbols.find((entry) => entry.exchange === exchange && entry.symbol === symbol)?.owner;
          const url =
            owner === null || owner === undefined || owner === options.instanceId
              ? undefined
              : view.instances.find((entry) => entry.instanceId === owner)?.url;
          if (url !== undefined) return forward(request, reply, url, options.instanceId);
        }
        const error =
          outcome.reason === 'not-configured'
            ? `${exchange}:${symbol} is not traded by ${options.instanceId}`
            : `${exchange}:${symbol} is not owned by any live instance that could act on it`;
        return reply.code(outcome.reason === 'not-configured' ? 404 : 409).send({ error });
      },
    );
  }

  server.post(
    '/api/instance/drain',
    {
      schema: {
        summary: 'Hand over every symbol this instance owns (no cancels), before stopping it',
        tags: ['actions'],
        response: { 200: ACTION_RESULT },
      },
    },
    async () => ({ action: 'drain', instanceId: options.instanceId, handedOver: await options.control.drain() }),
  );
}

async function forward(request: FastifyRequest, reply: FastifyReply, ownerUrl: string, instanceId: string) {
  const headers: Record<string, string> = { [FORWARDED]: instanceId };
  for (const name of ['authorization', 'x-api-key']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  try {
    const answer = await fetch(new URL(request.url, ownerUrl), {
      method: 'POST',
      headers,
      signal: AbortSignal.timeout(60_000),
    });
    return reply.code(answer.status).send(await answer.json());
  } catch (error) {
    return reply.code(502).send({
      error: `the owner at ${ownerUrl} did not answer (${error instanceof Error ? error.message : String(error)})`,
    });
  }
}
