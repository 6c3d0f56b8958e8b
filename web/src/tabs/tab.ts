/** What the admin shell needs from each tab. */
export interface Tab {
  /** Fetches fresh data and renders; called whenever the tab is shown. */
  load(): Promise<void>;
  /** Renders again from the data already held (after a language change). */
  render(): void;
}
