import { startApp } from '../shared/start-app';
import { PrivacyApp } from './privacy-app';

startApp(PrivacyApp);
