import { LabIcon } from '@jupyterlab/ui-components';

import autoflowSvgstr from '../style/icons/autoflow.svg';

/**
 * The AutoFlow icon; its fills follow the theme through `jp-icon3`.
 */
export const autoflowIcon = new LabIcon({
  name: 'autoflow-lab:autoflow',
  svgstr: autoflowSvgstr
});
