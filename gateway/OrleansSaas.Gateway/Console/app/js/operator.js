import { h, problemBox } from './ui.js';
import { auth } from './api.js';

/** What an operator page shows when the API refuses its key (e.g. a tenant's key: the admin API answers 401). */
export function operatorRefused(error) {
  const box = problemBox(error);
  if (error.status === 401 || error.status === 403) {
    box.append(h('p', {}, auth.isOperator
      ? 'The admin key was not accepted; sign out and sign in with the current one.'
      : 'Operator pages need the operators’ admin key, not a tenant’s API key. Sign out and sign in as Operator.'));
  }
  return box;
}
