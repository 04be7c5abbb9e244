import { startApp } from '../shared/start-app';
import { ConsoleApp } from './console-app';

startApp(ConsoleApp);
