import { apiClient, unwrap } from '@/lib/api/client';
import type { Me } from '@/lib/api/models';

/** Business id + its key (api.md: POST /api/save-config); sets the same HttpOnly cookie. */
export async function saveConfig(businessId: string, apiKey: string): Promise<Me> {
  const res = await unwrap(
    apiClient.POST('/api/save-config', { body: { business_id: businessId, api_key: apiKey } }),
  );
  return { role: 'business', business_id: res.business_id, business_name: res.business_name };
}
