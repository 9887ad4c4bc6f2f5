import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

/**
 * Command arguments: none.
 */
export const NO_ARGS = {
  args: { type: 'object' as const, properties: {} }
};

/**
 * Command arguments: the numeric `id` of what the command acts on.
 *
 * @param description What `id` names, in the user's language
 * @param required Whether the command needs it (else it has a default,
 *   such as the row under the context menu)
 */
export function idArgs(description: string, required = false) {
  return {
    args: {
      type: 'object' as const,
      properties: {
        id: { type: 'number' as const, description }
      },
      ...(required ? { required: ['id'] } : {})
    }
  };
}

/**
 * Ask the user to confirm a deletion that cannot be undone.
 *
 * @returns Whether the user chose Delete
 */
export async function confirmDelete(
  trans: TranslationBundle,
  title: string,
  body: string
): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}
