import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { formatParameterValue } from '../format';

/**
 * Props of {@link ParameterList}.
 */
export interface IParameterListProps {
  parameters: AutoflowAPI.Parameters | null | undefined;
  /**
   * The list's class, which the details view it stands in styles.
   */
  className: string;
  trans: TranslationBundle;
}

/**
 * A run's parameters as `name = value` lines, or "none".
 */
export function ParameterList(props: IParameterListProps): JSX.Element {
  const { trans } = props;
  const parameters = Object.entries(props.parameters ?? {});
  if (parameters.length === 0) {
    return <>{trans.__('none')}</>;
  }
  return (
    <ul className={props.className}>
      {parameters.map(([name, value]) => (
        <li key={name}>
          <code>
            {name} = {formatParameterValue(value)}
          </code>
        </li>
      ))}
    </ul>
  );
}
