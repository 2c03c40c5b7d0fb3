// payoutsim contract --provider onspot --client "node adapters/node/onspot_adapter.mjs"
//
// Maps the suite's operations to the OnSpot client in onspot_client.mjs. OnSpot documents no
// read endpoint and no idempotency, so this adapter lists `payout.create` alone: the suite
// reports the scenarios that need `payout.get` or `payout.find` as not applicable. To run your
// own client, copy this file and protocol.mjs and replace the calls to `OnSpot` with yours.

import { OnSpot } from './onspot_client.mjs';
import { Session, Unsupported } from './protocol.mjs';

const OPERATIONS = ['payout.create'];

function onspotHandler(config, sleep) {
  const { public_key: publicKey, secret_key: secretKey, environment } = config.credentials ?? {};
  const client = new OnSpot({
    baseUrl: config.base_url,
    publicKey,
    secretKey,
    environment: environment ?? 'test',
    timeoutS: config.timeout_s ?? 10,
    sleep,
  });
  return {
    async perform(op, params) {
      if (op !== 'payout.create') throw new Unsupported(op);
      const b = params.beneficiary ?? {};
      const entry = await client.createPayout({
        type: b.type ?? 'INDIVIDUAL',
        documentType: b.document_type,
        documentNumber: b.document_number,
        firstName: b.first_name,
        lastName: b.last_name,
        legalName: b.legal_name,
        email: b.email,
        amount: params.amount,
        currency: params.currency ?? 'USD',
        description: `payout ${params.reference}`,
      });
      // OnSpot's answer has no status word but its `action`: "success".
      return { id: entry.uuid, status: entry.action };
    },
  };
}

await new Session({
  name: 'payoutsim-node-onspot',
  version: '1.0.0',
  providers: { onspot: onspotHandler },
  operations: { onspot: OPERATIONS },
}).run();
