/** The catalogue hears of every stock write from the stock owner itself; this name stays for the callers in orders. */
export { signalStockChanged } from '../catalog';
