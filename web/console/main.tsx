import { render } from 'preact';
import '../shared/style.css';
import { ConsoleApp } from './console-app';
import { loadWebConfig } from '../shared/api';
import { setLanguage } from '../shared/i18n';

const root = document.getElementById('app')!;
loadWebConfig()
  .then((config) => {
    setLanguage(config.languages);
    render(<ConsoleApp config={config} />, root);
  })
  .catch(() => {
    setLanguage(['en']);
    render(<ConsoleApp config={undefined} />, root);
  });
