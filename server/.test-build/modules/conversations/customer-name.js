const text = (value) => typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
const tail = (value, n = 4) => value.slice(-n);
/**
 * The customer's best name: their own first/last name, else a name the assistant collected
 * (`name`, `first_name` + `last_name`, `full_name`), else a readable label by channel — never an id
 * dump such as "User f9ebb65e".
 */
export function customerName(c) {
    const own = `${c.firstName.trim()} ${c.lastName.trim()}`.trim();
    if (own)
        return own;
    const data = c.collectedData ?? {};
    const collected = text(data.name) || `${text(data.first_name)} ${text(data.last_name)}`.trim() || text(data.full_name);
    if (collected)
        return collected.slice(0, 200);
    if (c.channel === 'whatsapp' && c.whatsappId)
        return `WhatsApp +${c.whatsappId.replace(/^\+/, '')}`;
    if (c.channel === 'messenger' && c.messengerPsid)
        return `Messenger customer ${tail(c.messengerPsid)}`;
    if (c.channel === 'web')
        return `Website visitor ${tail(c.webVisitorId ?? c.userId)}`;
    if (c.channel === 'simulator')
        return 'Simulator';
    if (c.whatsappId)
        return `WhatsApp +${c.whatsappId.replace(/^\+/, '')}`;
    if (c.messengerPsid)
        return `Messenger customer ${tail(c.messengerPsid)}`;
    return `API customer ${tail(c.userId)}`;
}
//# sourceMappingURL=customer-name.js.map