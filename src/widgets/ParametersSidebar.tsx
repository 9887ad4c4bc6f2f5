import { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ParametersSection } from '../components/ParametersSection';
import { NotebookParametersModel } from '../parametersModel';

/**
 * Props of {@link ParametersSidebarSection}.
 */
export interface IParametersSidebarSectionProps {
  model: NotebookParametersModel;
  trans: TranslationBundle;
  onTagCell: () => void;
  onRun: () => void;
}

/**
 * The sidebar's Parameters section, kept in step with the current notebook.
 */
export function ParametersSidebarSection(
  props: IParametersSidebarSectionProps
): JSX.Element {
  const { model } = props;
  return (
    <UseSignal signal={model.changed}>
      {() => (
        <ParametersSection
          path={model.path}
          parameters={model.parameters}
          loading={model.loading}
          errorMessage={model.errorMessage}
          trans={props.trans}
          onTagCell={props.onTagCell}
          onRun={props.onRun}
        />
      )}
    </UseSignal>
  );
}
