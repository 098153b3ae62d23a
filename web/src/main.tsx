/** @module Browser entry: creates the API client and renders the app into #app. */
import { render } from 'preact';
import { GatehouseClient } from './api.js';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
render(<App client={new GatehouseClient()} />, root);
