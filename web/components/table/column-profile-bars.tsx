import { formatCount } from '@/lib/format'
import { binLabel, type ColumnProfile } from '@/lib/table-profile'
import { cn } from '@/lib/utils'

/** The counts as a share of the largest, for bar lengths (a column of zeros draws nothing). */
const shares = (counts: number[]) => {
  const most = Math.max(...counts, 0)
  return counts.map((c) => (most === 0 ? 0 : (c / most) * 100))
}

/**
 * A column's shape in bars sized by CSS (no drawing): its histogram's bins side by side
 * (numbers, dates), or its most frequent values (text, booleans). `compact` is the sparkline the
 * schema browser shows beside a column; the full size labels each value.
 */
export function ColumnProfileBars({ profile, compact = false, className }: { profile: ColumnProfile; compact?: boolean; className?: string }) {
  if (profile.histogram && profile.histogram.length > 0) {
    const heights = shares(profile.histogram.map((b) => b.count))
    return (
      <div
        role="img"
        aria-label={`Histogram of ${profile.name}: ${profile.histogram.length} bins`}
        data-slot="profile-histogram"
        className={cn('flex items-end gap-px', compact ? 'h-4 w-16' : 'h-14 w-full min-w-40', className)}
      >
        {profile.histogram.map((bin, i) => (
          <div
            key={i}
            title={binLabel(bin, profile.type)}
            data-count={bin.count}
            className="min-w-px flex-1 rounded-t-[1px] bg-primary/70"
            style={{ height: `${Math.max(heights[i]!, bin.count > 0 ? 4 : 0)}%` }}
          />
        ))}
      </div>
    )
  }
  if (profile.top && profile.top.length > 0) {
    const widths = shares(profile.top.map((t) => t.count))
    if (compact) {
      return (
        <div
          role="img"
          aria-label={`Most frequent values of ${profile.name}: ${profile.top.slice(0, 3).map((t) => `${t.value} (${formatCount(t.count)})`).join(', ')}`}
          data-slot="profile-top"
          className={cn('flex h-4 w-16 items-end gap-px', className)}
        >
          {profile.top.slice(0, 8).map((t, i) => (
            <div key={t.value} title={`${t.value}: ${formatCount(t.count)}`} className="min-w-px flex-1 rounded-t-[1px] bg-primary/50" style={{ height: `${Math.max(widths[i]!, 4)}%` }} />
          ))}
        </div>
      )
    }
    return (
      <ul aria-label={`Most frequent values of ${profile.name}`} data-slot="profile-top" className={cn('grid w-full min-w-40 gap-0.5 text-xs', className)}>
        {profile.top.map((t, i) => (
          <li key={t.value} className="relative flex items-center justify-between gap-2 overflow-hidden rounded-sm px-1 py-px">
            <div aria-hidden className="absolute inset-y-0 left-0 rounded-sm bg-primary/15" style={{ width: `${widths[i]}%` }} />
            <span className="relative truncate font-mono" title={t.value}>{t.value === '' ? '""' : t.value}</span>
            <span className="relative shrink-0 tabular-nums text-muted-foreground">{formatCount(t.count)}</span>
          </li>
        ))}
      </ul>
    )
  }
  return compact ? null : <span className="text-xs text-muted-foreground">{profile.rows === profile.nulls ? 'No values' : 'No value stands out'}</span>
}
