/** The bench's business and its customers, created through the API as a client would. */

/** A business with a second stage, so every turn runs stage selection (and keeps the current stage). */
export async function setUpBusiness(base: string, masterKey: string, name = 'Bench') {
  const created = await fetch(`${base}/api/businesses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      business_name: `${name} ${Date.now()}`,
      business_description: 'A restaurant used for benchmarking',
    }),
  });
  if (created.status !== 201)
    throw new Error(`creating the business failed: ${created.status} ${await created.text()}`);
  const business = (await created.json()) as { business_id: string; api_key: string };
  const stage = await fetch(`${base}/api/stages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${business.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      stage_name: 'Complaints',
      stage_description: 'Unhappy customers',
      stage_type: 'conversation',
    }),
  });
  if (stage.status !== 201) throw new Error(`creating a stage failed: ${stage.status} ${await stage.text()}`);
  return business;
}

/** `count` customers with an open conversation each (a conversation's turns are serial). */
export async function openConversations(base: string, apiKey: string, count: number): Promise<string[]> {
  const users: string[] = [];
  const open = async () => {
    while (users.length < count) {
      users.push('');
      const slot = users.length - 1;
      const response = await fetch(`${base}/api/message`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'Hello!' }),
      });
      if (response.status !== 200)
        throw new Error(`opening a conversation failed: ${response.status} ${await response.text()}`);
      users[slot] = ((await response.json()) as { user_id: string }).user_id;
    }
  };
  await Promise.all(Array.from({ length: 32 }, open));
  return users;
}
