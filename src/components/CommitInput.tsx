import * as React from 'react';

/**
 * Props of {@link CommitInput}.
 */
export interface ICommitInputProps {
  /**
   * The committed text; the input follows it when it changes.
   */
  value: string;
  className: string;
  label: string;
  placeholder?: string;
  /**
   * Called with the typed text on Enter or blur, when it differs from
   * `value`.
   */
  onCommit(text: string): void;
}

/**
 * A text input whose edits apply on Enter or when it loses focus.
 */
export function CommitInput(props: ICommitInputProps): JSX.Element {
  const [draft, setDraft] = React.useState(props.value);
  React.useEffect(() => setDraft(props.value), [props.value]);
  const commit = () => {
    if (draft !== props.value) {
      props.onCommit(draft);
    }
  };
  return (
    <input
      className={props.className}
      aria-label={props.label}
      placeholder={props.placeholder}
      value={draft}
      onChange={event => setDraft(event.target.value)}
      onBlur={commit}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}
