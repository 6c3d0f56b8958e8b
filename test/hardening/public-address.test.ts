// The public-address check on its own (src/util/public-address.ts), with the runtime's own URL
// parser normalising the spellings first, as the remote-media fetcher uses it.
import { describe, expect, it } from "vitest";
import { isPublicHost, publicHttpUrl } from "../../src/util/public-address";

describe("publicHttpUrl", () => {
  it.each([
    "http://127.0.0.1/", "http://127.255.255.254/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0x7f.0.0.1/",
    "http://0177.0.0.01/", "http://017700000001/", "http://127.0.0.1./", "http://0/", "http://0.0.0.0/", "http://[::]/", "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:8.8.8.8]/", "http://[::127.0.0.1]/",
    "http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.0.1/", "http://100.64.0.1/", "http://100.127.255.255/",
    "http://169.254.169.254/", "http://[fe80::1]/", "http://[febf::1]/", "http://[fc00::1]/", "http://[fdff::1]/", "http://[ff02::1]/",
    "http://224.0.0.251/", "http://239.255.255.250/", "http://255.255.255.255/", "http://240.0.0.1/", "http://198.18.0.1/",
    "http://[64:ff9b::a00:1]/", "http://[2002:c0a8:101::]/", "http://localhost/", "http://LocalHost:8080/", "http://a.b.localhost/",
    "http://localhost./", "https://user@example.com/", "https://:pw@example.com/", "ftp://example.com/", "file:///etc/passwd",
    "gopher://example.com/", "data:image/png;base64,AAAA", "javascript:alert(1)", "http://", "not a url", "http://[fe80::1%25eth0]/",
  ])("%s is refused", (url) => {
    expect(publicHttpUrl(url)).toBeNull();
  });

  it.each([
    "http://8.8.8.8/a.png", "https://1.1.1.1/", "http://172.15.255.255/", "http://172.32.0.0/", "http://100.63.255.255/", "http://100.128.0.0/",
    "http://169.253.0.1/", "http://192.169.0.1/", "http://[2606:4700:4700::1111]/", "http://[2001:4860:4860::8888]/", "http://[64:ff9b::808:808]/",
    "http://[2002:808:808::]/", "https://example.com/cat.png", "https://images.example.org:8443/x.png", "http://localhost.example.com/",
    "http://xn--bcher-kva.example/", "http://bücher.example/",
  ])("%s is allowed", (url) => {
    expect(publicHttpUrl(url)).not.toBeNull();
  });

  it("resolves a relative redirect against the hop it came from, then checks it", () => {
    expect(publicHttpUrl("/next.png", "https://example.com/a/b.png")?.href).toBe("https://example.com/next.png");
    expect(publicHttpUrl("//127.0.0.1/x", "https://example.com/")).toBeNull();
  });

  it("the runtime's URL parser writes IPv4 spellings as dotted decimal (what the check relies on)", () => {
    expect(new URL("http://2130706433/").hostname).toBe("127.0.0.1");
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("http://017700000001/").hostname).toBe("127.0.0.1");
    expect(new URL("http://[::ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
  });
});

describe("isPublicHost", () => {
  it("refuses empty and numeric-looking names the URL parser left alone", () => {
    expect(isPublicHost("")).toBe(false);
    expect(isPublicHost(".")).toBe(false);
    expect(isPublicHost("[::ffff:7f00:1]")).toBe(false);
    expect(isPublicHost("[not-an-address]")).toBe(false);
    expect(isPublicHost("example.com")).toBe(true);
  });
});
