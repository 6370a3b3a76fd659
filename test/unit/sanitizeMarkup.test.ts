/**
 * The reader's sanitizer, the parts that need no browser (webview/reader/sanitize.ts): the nesting
 * cap that keeps a hostile message from stalling the HTML parser, and where a link really goes.
 * The rest of the sanitizer runs in Chromium (test/browser/hostile.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { limitNesting, linkTarget } from '../../webview/reader/sanitize';

const nested = (depth: number, tag = 'div') => `${`<${tag}>`.repeat(depth)}text${`</${tag}>`.repeat(depth)}`;

describe('the nesting cap', () => {
  test('markup within the cap is returned as it is, however long', () => {
    const html = nested(400) + 'x'.repeat(10_000);
    assert.equal(limitNesting(html), html);
    const shallow = '<p>a</p>'.repeat(3000);
    assert.equal(limitNesting(shallow, 3), shallow, 'siblings are not nesting');
  });

  test('tags deeper than the cap go, their text stays, and the markup closes as it opened', () => {
    assert.equal(limitNesting(nested(6), 3), '<div><div><div>text</div></div></div>');
    assert.equal(limitNesting(`<b>${nested(5, 'i')}</b>`, 2), '<b><i>text</i></b>');
  });

  test('elements that close themselves (void, optional end tag, />) do not count as nesting', () => {
    const voids = '<br><img src="a"><hr><input><wbr><meta><link><source><track><area><col><embed><param><keygen><base>'.repeat(5);
    const optional = '<p><li><dt><dd><tr><td><th><option><optgroup><thead><tbody><tfoot><colgroup><rt><rp>'.repeat(5);
    const selfClosed = '<x-a/><svg/><div />'.repeat(30);
    for (const flat of [voids, optional, selfClosed]) {
      const html = `<div><div>${flat}</div></div>${'.'.repeat(2000)}`;
      assert.equal(limitNesting(html, 2), html, flat.slice(0, 20));
    }
  });

  test('tag names in any case count alike; text that only looks like a tag does not', () => {
    assert.equal(limitNesting(`<DIV><Div><div>deep</div></Div></DIV>${' '.repeat(20)}`, 2), `<DIV><Div>deep</Div></DIV>${' '.repeat(20)}`);
    const text = `a < b > c <3 <> ${nested(2)}${' '.repeat(20)}`;
    assert.equal(limitNesting(text, 2), text);
  });

  test('more end tags than start tags never make room for deeper nesting', () => {
    assert.equal(limitNesting(`</div></div></div>${nested(3)}${' '.repeat(20)}`, 2), `</div></div></div><div><div>text</div></div>${' '.repeat(20)}`);
  });
});

describe('where a link goes', () => {
  const element = (attrs: Record<string, string>, ns: Record<string, string> = {}) => ({
    getAttribute: (name: string) => attrs[name] ?? null,
    getAttributeNS: (_ns: string, name: string) => ns[name] ?? null,
  }) as unknown as Element;
  const base = 'https://mail.invalid/message';

  test('http, https and mailto targets, resolved and trimmed; anything else is no target', () => {
    assert.equal(linkTarget(element({ href: '  https://example.org/a b ' }), base), 'https://example.org/a%20b');
    assert.equal(linkTarget(element({ href: 'mailto:a@example.org' }), base), 'mailto:a@example.org');
    assert.equal(linkTarget(element({ href: 'HTTP://EXAMPLE.ORG' }), base), 'http://example.org/');
    assert.equal(linkTarget(element({ href: 'page.html' }), base), 'https://mail.invalid/page.html', 'relative: against the base');
    for (const href of ['javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'vbscript:x', 'http://[bad', '#top', '#']) {
      assert.equal(linkTarget(element({ href }), base), undefined, href);
    }
    assert.equal(linkTarget(element({}), base), undefined, 'no href at all');
  });

  test('SVG links: xlink:href by namespace or by name, and href first when both are there', () => {
    assert.equal(linkTarget(element({}, { href: 'https://svg.example/' }), base), 'https://svg.example/');
    assert.equal(linkTarget(element({ 'xlink:href': 'https://named.example/' }), base), 'https://named.example/');
    assert.equal(linkTarget(element({ href: 'https://first.example/' }, { href: 'https://second.example/' }), base), 'https://first.example/');
  });
});
