// Texts of the grid console.
import { english } from './catalog.ts'

export const zh = {
} as const

export const en = english<typeof zh>({
})
