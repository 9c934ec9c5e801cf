export const X = 42;
