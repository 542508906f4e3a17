import { adminApi } from './api.js';
import { pageHeader, card } from './ui.js';
import { auditView } from './audit.js';

export function operatorAuditPage(main) {
  main.append(pageHeader('Audit log', 'Every mutating request of every tenant and operator, and the cluster’s own moves.'),
    card(null, auditView(adminApi, '/audit', { tenantFilter: true })));
}
