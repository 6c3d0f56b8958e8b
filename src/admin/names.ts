import { z } from "zod";

/** A display name: trimmed, 1..100 characters, any text (the panel escapes it). */
export const nameSchema = z.string().trim().min(1, "name must not be empty").max(100, "name may hold at most 100 characters");
