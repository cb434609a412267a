// The engine process killed while the viewer is reading from it: the app stays up, the window says
// what happened, the engine restarts with the slide reopened under its id, and the view carries on.

import { expect, slidePath, test } from './fixtures';
import { comparePixels } from './host/pixels';
import { readCanvas, setExactView, tileErrorCount, waitForTiles } from './host/viewer-probe';

const CMU = 'CMU-1-Small-Region.svs';

test('the engine process killed (SIGKILL) during a pan: the window says which slide it was reading, and the view carries on', async ({ host }) => {
  const { page } = host;
  await host.drop([slidePath(CMU)]);
  await waitForTiles(page);
  await setExactView(page, { x: 200, y: 300, imageZoom: 1 });
  await waitForTiles(page);
  const slideId = host.slideIdOf(CMU);
  const firstPid = host.main.engine.pid;
  expect(firstPid).toBeDefined();

  // Pan, and kill the engine as soon as the pan's first tile has been sent to it: that tile is lost
  // with the engine, and the pan's next ones are asked while it restarts.
  let killed = false;
  host.onSent = {
    channel: 'slide:tile',
    run: () => {
      process.kill(firstPid!, 'SIGKILL');
      killed = true;
    },
  };
  const view = { x: 800, y: 1500, imageZoom: 1 };
  await setExactView(page, view);
  await expect.poll(() => killed).toBe(true);

  const notice = page.getByTestId('notice').filter({ hasText: 'The slide engine stopped and was restarted' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText(`The slide engine stopped while reading ${CMU} (it was killed (SIGKILL)). It was restarted and the slide reopened.`);
  // The notice's strip shrinks the view, which OpenSeadragon keeps centred: its top-left goes back
  // where the pixels are compared (the same tiles, the lost ones among them).
  await setExactView(page, view);

  // The view fills from the new engine process, under the same slide id, without a failed tile: the
  // tiles lost with the engine are asked for again.
  await waitForTiles(page);
  expect(host.invocationsOf('slide:tile').filter((t) => t.errorCode === 'WORKER_FAILED').length).toBeGreaterThan(0);
  expect(host.main.engine.pid).not.toBe(firstPid);
  expect(host.slideIdOf(CMU)).toBe(slideId);
  expect(await tileErrorCount(page)).toBe(0);
  const patch = { x: 100, y: 100, width: 300, height: 200 };
  const drawn = await readCanvas(page, patch);
  const reference = await host.engine('engine:region', {
    slideId,
    level: 0,
    x: view.x + patch.x - 1,
    y: view.y + patch.y - 1,
    width: patch.width + 2,
    height: patch.height + 2,
  });
  const diff = comparePixels(drawn, reference, 1);
  expect(diff.referenceContrast).toBeGreaterThan(10);
  expect(diff.mean).toBeLessThan(6);
  expect(diff.p99).toBeLessThan(40);

  // And it keeps working: a further pan fills too.
  await setExactView(page, { x: 1200, y: 600, imageZoom: 1 });
  await waitForTiles(page);
  expect(await tileErrorCount(page)).toBe(0);
});
