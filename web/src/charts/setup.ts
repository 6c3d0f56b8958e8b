/**
 * chart.js, tree-shaken: only the controllers, elements, scales and plugins the dashboard
 * draws are registered. Text and grid colours follow the panel's theme.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import type { Theme } from "../lib/theme";

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);

export function applyChartTheme(theme: Theme): void {
  Chart.defaults.color = theme === "dark" ? "#d1d5db" : "#374151";
  Chart.defaults.borderColor = theme === "dark" ? "rgba(255,255,255,0.14)" : "rgba(0,0,0,0.1)";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
}

export { Chart };
