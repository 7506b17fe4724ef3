import { sessionkitPreset } from '../../tooling/tsup.preset.mjs';

export default sessionkitPreset({
  index: 'src/index.ts',
  geoip: 'src/geoip.ts',
  store: 'src/store.ts',
  testing: 'src/testing/index.ts',
});
