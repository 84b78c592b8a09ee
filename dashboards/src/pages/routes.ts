// What a page is to the shell: a path pattern and what it renders.
import type { ComponentChildren } from 'preact'
import type { User } from '../../../contract/schemas/registry.ts'
import type { NavItem } from '../components/layout.tsx'

export interface PageContext { user: User; params: Record<string, string>; path: string }

export interface Page { pattern: string; render: (ctx: PageContext) => ComponentChildren }

/** A console: its navigation and its pages; the first nav item is its home. */
export interface Console { nav: NavItem[]; pages: Page[] }
