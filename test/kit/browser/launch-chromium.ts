/**
 * Debian's Chromium, driven by playwright-core, as every browser suite launches it. Playwright's own
 * browser download cannot run here, so the executable is the system one (installed by `.ci/run`).
 * The flags keep Chromium from reaching for Google's services (refused on this closed network) and
 * give it a camera: a fake one that plays a y4m clip written by the test.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.FACEKEY_CHROMIUM ?? '/usr/bin/chromium';

const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface LaunchOptions {
  /** A y4m clip the fake camera plays in a loop; without it, Chromium's built-in test pattern. */
  readonly cameraClip?: string;
}

function launchArguments(options: LaunchOptions): { executablePath: string; headless: true; args: string[] } {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (.ci/run does) or set FACEKEY_CHROMIUM`);
  const camera = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  if (options.cameraClip) camera.push(`--use-file-for-fake-video-capture=${options.cameraClip}`);
  return { executablePath: CHROMIUM_PATH, headless: true, args: [...QUIET_FLAGS, ...camera] };
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch(launchArguments(options));
}

/**
 * Chromium with a profile on disk in `userDataDir`, as a kiosk runs: its HTTP cache keeps what a page
 * loaded (a context of `launchChromium` is off the record, and its in-memory cache does not keep the
 * 14 MB onnxruntime WASM). Camera allowed for `origin`. Closing the context closes the browser.
 */
export async function launchKioskProfile(userDataDir: string, origin: string, options: LaunchOptions = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, { ...launchArguments(options), viewport: { width: 1024, height: 768 } });
  await context.grantPermissions(['camera'], { origin });
  return context;
}

/** A fresh profile that may use the camera on `origin` without a prompt. */
export async function cameraContext(browser: Browser, origin: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  await context.grantPermissions(['camera'], { origin });
  return context;
}
