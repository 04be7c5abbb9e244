/**
 * How every app starts: read /v1/web-config, choose the language, render. Without the config (the
 * service unreachable) the app still renders, in English, and shows its own error.
 */
import { render, type ComponentType } from 'preact';
import './style.css';
import { loadWebConfig, type WebConfig } from './api';
import { setLanguage } from './i18n';

export function startApp(App: ComponentType<{ config: WebConfig | undefined }>): void {
  const root = document.getElementById('app')!;
  loadWebConfig()
    .then((config) => {
      setLanguage(config.languages);
      render(<App config={config} />, root);
    })
    .catch(() => {
      setLanguage(['en']);
      render(<App config={undefined} />, root);
    });
}
