import assert from 'node:assert/strict';
import { barChart } from '../../src/platform/charts';

describe('platform/charts', () => {
  describe('barChart', () => {
    describe('with the default size (the workspace money page)', () => {
      it('gives each point an equal slot and scales the tallest bar to the plot', () => {
        const chart = barChart([
          { label: 'gen', value: 500 },
          { label: 'feb', value: 1000 },
        ]);
        assert.equal(chart.width, 640);
        assert.equal(chart.height, 220);
        assert.equal(chart.max, 1000);
        assert.deepEqual(chart.bars, [
          { label: 'gen', value: 500, x: 55, y: 101, width: 218, height: 91, labelX: 164, labelY: 212 },
          { label: 'feb', value: 1000, x: 367, y: 10, width: 218, height: 182, labelX: 476, labelY: 212 },
        ]);
      });
    });

    describe('with a size and padding of its own (the admin overview)', () => {
      it('fits the bars to that box', () => {
        const chart = barChart(
          [
            { label: '11-02', value: 300 },
            { label: '11-09', value: 100 },
            { label: '11-16', value: 0 },
            { label: '11-23', value: 150 },
          ],
          {
            width: 560,
            height: 200,
            pad: { top: 4, right: 0, bottom: 24, left: 0 },
            labelGap: 6,
          },
        );
        assert.deepEqual(
          chart.bars.map((b) => [b.x, b.y, b.width, b.height, b.labelX, b.labelY]),
          [
            [21, 4, 98, 172, 70, 194],
            [161, 119, 98, 57, 210, 194],
            [301, 176, 98, 0, 350, 194],
            [441, 90, 98, 86, 490, 194],
          ],
        );
      });
    });

    describe('when there is nothing to draw', () => {
      it('draws no bars for no points, and flat bars for zeros and negative values', () => {
        assert.deepEqual(barChart([]).bars, []);
        const chart = barChart([
          { label: 'a', value: 0 },
          { label: 'b', value: -40 },
        ]);
        assert.equal(chart.max, 1);
        assert.deepEqual(
          chart.bars.map((b) => [b.y, b.height]),
          [
            [192, 0],
            [192, 0],
          ],
        );
      });
    });
  });
});
