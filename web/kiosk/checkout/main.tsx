import { render } from 'preact';
import '../../shared/style.css';
import { CheckoutApp } from './checkout-app';
import { loadWebConfig } from '../../shared/api';
import { setLanguage } from '../../shared/i18n';

const root = document.getElementById('app')!;
loadWebConfig()
  .then((config) => {
    setLanguage(config.languages);
    render(<CheckoutApp config={config} />, root);
  })
  .catch(() => {
    setLanguage(['en']);
    render(<CheckoutApp config={undefined} />, root);
  });
