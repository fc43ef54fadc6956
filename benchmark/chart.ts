// Renders a benchmark run (`npm run bench -- --json results.json`) as the README's table (Markdown, on
// stdout) and chart (an SVG file): every case as its speed relative to the baseline measured in the same
// run, on a log scale, with its target.
//
//   npx tsx benchmark/chart.ts results.json docs/benchmarks.svg > table.md

import { readFileSync, writeFileSync } from 'node:fs'
import type { CaseResult, Report } from './harness'

/** Speed relative to the baseline (>1: faster), whatever the case reports. */
function speedOf(r: CaseResult): { speed: number; low: number; high: number; targetMin?: number } {
  if (r.speed) {
    return { speed: r.ratio, low: r.ratioQ1, high: r.ratioQ3, targetMin: r.target?.min }
  }
  return {
    speed: 1 / r.ratio,
    low: 1 / r.ratioQ3,
    high: 1 / r.ratioQ1,
    targetMin: r.target?.max !== undefined ? 1 / r.target.max : undefined,
  }
}

function fmt(x: number): string {
  return x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(2)
}

function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`
  return `${ns.toFixed(0)} ns`
}

function verdict(r: CaseResult): string {
  if (r.pass === undefined) return ''
  return r.pass ? (r.marginal ? 'pass (within noise)' : 'pass') : r.marginal ? 'miss (within noise)' : 'miss'
}

function table(report: Report): string {
  const lines = [
    '| case | baseline | time | baseline time | speed vs baseline | target | |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ]
  for (const r of report.results) {
    const s = speedOf(r)
    const target =
      r.target?.maxNs !== undefined ? `≤ ${fmtNs(r.target.maxNs)}` : s.targetMin !== undefined ? `≥ ${fmt(s.targetMin)}×` : ''
    lines.push(
      `| ${r.name} | ${r.baselineName} | ${fmtNs(r.case.medianNs)} | ${fmtNs(r.baseline.medianNs)} | ${fmt(s.speed)}× | ${target} | ${verdict(r)} |`,
    )
  }
  const m = report.meta
  lines.push('', `Node ${m.node}, ${m.platform}-${m.arch}, ${m.cpuCount} × ${m.cpus}; medians of interleaved rounds, ${m.date.slice(0, 10)}.`)
  return lines.join('\n')
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function svg(report: Report): string {
  const rows = report.results
  const left = 330
  const width = 900
  const plot = width - left - 60
  const rowH = 22
  const top = 40
  const height = top + rows.length * rowH + 40
  const lo = Math.log10(0.02)
  const hi = Math.log10(50)
  const x = (v: number) => left + ((Math.log10(Math.min(Math.max(v, 0.02), 50)) - lo) / (hi - lo)) * plot
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Speed relative to the baseline of the same run (log scale; right of 1× = faster; dotted: target)</text>`,
  ]
  for (const v of [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25]) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top - 5}" y2="${height - 30}" stroke="${v === 1 ? '#444' : '#ddd'}"/>`)
    out.push(`<text x="${x(v)}" y="${height - 15}" text-anchor="middle" fill="#555">${v}×</text>`)
  }
  rows.forEach((r, i) => {
    const s = speedOf(r)
    const y = top + i * rowH
    const color = r.pass === undefined ? '#8a9bb0' : r.pass ? '#3a9d5d' : '#d0463c'
    out.push(`<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escape(r.name)}</text>`)
    if (r.target?.maxNs !== undefined) {
      // An absolute target (a fixed cost): its time, not a speed.
      out.push(`<text x="${x(1) + 4}" y="${y + 14}" fill="${color}">${fmtNs(r.case.medianNs)} (target ≤ ${fmtNs(r.target.maxNs)})</text>`)
      return
    }
    const x0 = x(1)
    const x1 = x(s.speed)
    out.push(`<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 8}" fill="${color}"/>`)
    out.push(`<line x1="${x(s.low)}" x2="${x(s.high)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#222"/>`)
    if (s.targetMin !== undefined) {
      out.push(`<line x1="${x(s.targetMin)}" x2="${x(s.targetMin)}" y1="${y + 1}" y2="${y + rowH - 1}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`)
    }
    out.push(`<text x="${Math.max(x0, x1) + 4}" y="${y + 14}" fill="#333">${fmt(s.speed)}×</text>`)
  })
  out.push('</svg>')
  return out.join('\n')
}

const [input, output] = process.argv.slice(2)
if (!input || !output) {
  console.error('usage: tsx benchmark/chart.ts <results.json> <chart.svg>')
  process.exit(2)
}
const report = JSON.parse(readFileSync(input, 'utf8')) as Report
writeFileSync(output, svg(report) + '\n')
console.log(table(report))
