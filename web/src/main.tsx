// The situation centre's entry: take a token from the address, learn the city's time zone, render.

import 'leaflet/dist/leaflet.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { loadConfig } from './config.js';
import { takeTokenFromAddress } from './session.js';

takeTokenFromAddress();
// A sign-in link opened in a tab already on this page changes only the fragment: no reload.
addEventListener('hashchange', takeTokenFromAddress);
void loadConfig();
render(<App />, document.getElementById('app')!);
