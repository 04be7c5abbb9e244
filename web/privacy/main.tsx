import { render } from 'preact';
import '../shared/style.css';
import { PrivacyApp } from './privacy-app';
import { loadWebConfig } from '../shared/api';
import { setLanguage } from '../shared/i18n';

const root = document.getElementById('app')!;
loadWebConfig()
  .then((config) => {
    setLanguage(config.languages);
    render(<PrivacyApp config={config} />, root);
  })
  .catch(() => {
    setLanguage(['en']);
    render(<PrivacyApp config={undefined} />, root);
  });
