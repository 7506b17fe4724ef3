import { sessionkitPreset } from '../../tooling/tsup.preset.mjs';

export default sessionkitPreset({ index: 'src/index.ts' });
