import { describe, expect, it } from 'vitest';
import { screenshotOptions } from '../../scripts/screenshot-options.ts';

describe('npm run screenshots options', () => {
  const present = () => true;

  it('takes Chromium from CHROMIUM_PATH, else the usual place, and passes PATH and HOME on', () => {
    expect(
      screenshotOptions({ CHROMIUM_PATH: '/opt/chrome', PATH: '/bin', HOME: '/home/a' }, present),
    ).toEqual({
      chromiumPath: '/opt/chrome',
      path: '/bin',
      home: '/home/a',
    });
    expect(screenshotOptions({}, present)).toEqual({
      chromiumPath: '/usr/bin/chromium',
      path: '',
      home: undefined,
    });
  });

  it('says in one sentence what is wrong', () => {
    expect(() => screenshotOptions({ CHROMIUM_PATH: '  ' }, present)).toThrow(
      /^screenshots: CHROMIUM_PATH is not usable/,
    );
    expect(() => screenshotOptions({ CHROMIUM_PATH: '/nowhere/chrome' }, () => false)).toThrow(
      'screenshots: no Chromium at /nowhere/chrome; install it (apt-get install chromium) or set CHROMIUM_PATH',
    );
  });
});
