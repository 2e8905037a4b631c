// What other parts of the app may use from this feature.
export { default as ReviewerPrompt } from './components/ReviewerPrompt.vue'
export { default as NoReviewerBanner } from './components/NoReviewerBanner.vue'
