// Renders a benchmark run (`npm run bench -- --json results.json`, optionally with `--fresh`) as the README's
// table (Markdown, on stdout) and chart (an SVG file): every case as its speed relative to the baseline
// measured in the same run, on a log scale, with its target. The headline figures are the one-process ones
// (measured after the warm-up); fresh-process figures, when the run has them, sit beside them.
//
//   npx tsx benchmark/chart.ts results.json docs/benchmarks.svg > table.md

import { readFileSync, writeFileSync } from 'node:fs'
import type { CaseResult, Group, Measurement, Report } from './harness'

interface Speed {
  speed: number
  low: number
  high: number
  targetMin?: number
}

/** Speed relative to the baseline (>1: faster), whatever the case reports. */
function speedOf(r: CaseResult, m: Measurement): Speed {
  if (r.speed) return { speed: m.ratio, low: m.ratioQ1, high: m.ratioQ3, targetMin: r.target?.min }
  return {
    speed: 1 / m.ratio,
    low: 1 / m.ratioQ3,
    high: 1 / m.ratioQ1,
    targetMin: r.target?.max !== undefined ? 1 / r.target.max : undefined,
  }
}

/** Cases whose target is absolute (a fixed cost, memory held): shown as a value, not a speed. */
function absolute(r: CaseResult): boolean {
  return r.target?.maxNs !== undefined || r.target?.maxBytes !== undefined || r.unit === 'bytes'
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '—'
  return x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(2)
}

function fmtValue(v: number, unit: CaseResult['unit']): string {
  if (!Number.isFinite(v)) return '—'
  if (unit === 'bytes') return `${(v / (1024 * 1024)).toFixed(1)} MB`
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} ms`
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} µs`
  return `${v.toFixed(0)} ns`
}

function verdict(m: Measurement): string {
  if (m.error !== undefined) return 'error'
  if (m.pass === undefined) return ''
  return m.pass ? (m.marginal ? 'pass (within noise)' : 'pass') : m.marginal ? 'miss (within noise)' : 'miss'
}

function targetText(r: CaseResult): string {
  if (r.target?.maxNs !== undefined) return `≤ ${fmtValue(r.target.maxNs, 'ns')}`
  if (r.target?.maxBytes !== undefined) return `≤ ${fmtValue(r.target.maxBytes, 'bytes')}`
  const t = speedOf(r, r).targetMin
  return t !== undefined ? `≥ ${fmt(t)}×` : ''
}

function figure(r: CaseResult, m: Measurement): string {
  if (m.error !== undefined) return '—'
  return absolute(r) ? fmtValue(m.case.median, r.unit) : `${fmt(speedOf(r, m).speed)}×`
}

function table(report: Report): string {
  const fresh = report.results.some((r) => r.fresh)
  const head = ['case', 'baseline', 'time', 'baseline time', 'speed vs baseline', 'target', '']
  if (fresh) head.push('fresh process', '')
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => ((i >= 2 && i <= 4) || i === 7 ? '---:' : '---')).join(' | ')} |`]
  let group: Group | undefined
  for (const r of report.results) {
    if (r.group !== group) {
      group = r.group
      lines.push(`| **${group}** |${' |'.repeat(head.length - 1)}`)
    }
    const cells = [
      r.name,
      r.baselineName,
      fmtValue(r.case.median, r.unit),
      fmtValue(r.baseline.median, r.unit),
      figure(r, r),
      targetText(r),
      verdict(r),
    ]
    if (fresh) cells.push(r.fresh ? figure(r, r.fresh) : '', r.fresh ? verdict(r.fresh) : '')
    lines.push(`| ${cells.join(' | ')} |`)
  }
  const m = report.meta
  lines.push(
    '',
    `Node ${m.node}, ${m.platform}-${m.arch}, ${m.cpuCount} × ${m.cpus}; all cases in one process after the warm-up` +
      (fresh ? ' (fresh process: each case alone in a new process)' : '') +
      `; medians of interleaved rounds, ${m.date.slice(0, 10)}.`,
  )
  return lines.join('\n')
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function svg(report: Report): string {
  const rows = report.results
  const left = 400
  const width = 980
  const plot = width - left - 70
  const rowH = 22
  const top = 40
  const height = top + rows.length * rowH + 40
  const lo = Math.log10(0.0005)
  const hi = Math.log10(50)
  const x = (v: number) => left + ((Math.log10(Math.min(Math.max(v, 0.0005), 50)) - lo) / (hi - lo)) * plot
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Speed relative to the baseline of the same run, one long process (log scale; right of 1× = faster; dotted: target; ○ fresh process)</text>`,
  ]
  for (const v of [0.001, 0.01, 0.1, 0.5, 1, 2, 10]) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top - 5}" y2="${height - 30}" stroke="${v === 1 ? '#444' : '#ddd'}"/>`)
    out.push(`<text x="${x(v)}" y="${height - 15}" text-anchor="middle" fill="#555">${v}×</text>`)
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH
    const color = r.error !== undefined || r.pass === false ? '#d0463c' : r.pass ? '#3a9d5d' : '#8a9bb0'
    out.push(`<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeXml(r.name)}</text>`)
    if (r.error !== undefined) {
      out.push(`<text x="${x(1) + 4}" y="${y + 14}" fill="${color}">error</text>`)
      return
    }
    if (absolute(r)) {
      const fresh = r.fresh && r.fresh.error === undefined ? `; fresh process ${fmtValue(r.fresh.case.median, r.unit)}` : ''
      out.push(
        `<text x="${x(1) + 4}" y="${y + 14}" fill="${color}">${fmtValue(r.case.median, r.unit)} (target ${escapeXml(targetText(r))})${fresh}</text>`,
      )
      return
    }
    const s = speedOf(r, r)
    const x0 = x(1)
    const x1 = x(s.speed)
    out.push(`<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 8}" fill="${color}"/>`)
    out.push(`<line x1="${x(s.low)}" x2="${x(s.high)}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#222"/>`)
    if (s.targetMin !== undefined) {
      out.push(
        `<line x1="${x(s.targetMin)}" x2="${x(s.targetMin)}" y1="${y + 1}" y2="${y + rowH - 1}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`,
      )
    }
    if (r.fresh && r.fresh.error === undefined) {
      out.push(`<circle cx="${x(speedOf(r, r.fresh).speed)}" cy="${y + rowH / 2}" r="4" fill="none" stroke="#222"/>`)
    }
    out.push(`<text x="${Math.max(x0, x1) + 6}" y="${y + 14}" fill="#333">${fmt(s.speed)}×</text>`)
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
writeFileSync(output, `${svg(report)}\n`)
console.log(table(report))
