import { render } from 'preact';
import '../../shared/style.css';
import { EnrollApp } from './enroll-app';
import { loadWebConfig } from '../../shared/api';
import { setLanguage } from '../../shared/i18n';

const root = document.getElementById('app')!;
loadWebConfig()
  .then((config) => {
    setLanguage(config.languages);
    render(<EnrollApp config={config} />, root);
  })
  .catch(() => {
    setLanguage(['en']);
    render(<EnrollApp config={undefined} />, root);
  });
