// What other parts of the app may use from this feature.
export { default as MessageBell } from './components/MessageBell.vue'
export { default as SmsPreferenceCard } from './components/SmsPreferenceCard.vue'
export { useTodo, countFor, badgeText } from './todo'
export { urge } from './api/messages'
export { default as UrgeButton } from './components/UrgeButton.vue'
