import { startApp } from '../../shared/start-app';
import { EnrollApp } from './enroll-app';

startApp(EnrollApp);
