import { startApp } from '../../shared/start-app';
import { CheckoutApp } from './checkout-app';

startApp(CheckoutApp);
